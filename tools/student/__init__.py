"""The student edition and the public student repository's tree (make student, make publish)."""
