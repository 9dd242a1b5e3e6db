"""The book as a PDF per edition (make pdf)."""
