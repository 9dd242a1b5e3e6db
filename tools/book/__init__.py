"""The book: the fingerprinted build, the semester build, nbval's references, the lock."""
