"""The models the book trains itself: chapter 5's tiny-digits (make tiny-model)."""
