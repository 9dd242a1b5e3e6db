"""Loopback stand-ins for what the semester build reaches over the network: the Hugging Face Hub
(hub.py), the course's download host (course.py), and SD v1-4's repository with random weights
(weights.py). tools/rehearsal/rehearse.py runs the semester build against them; the tests use
them too."""
