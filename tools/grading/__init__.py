"""The graded homework, from the book's own exercises (GRADING.md is the instructor's page):

    exercises   a chapter's exercises as its source states them, with their points
    release     the answer cells and metadata the published notebook carries for grading
    locate      each answer found in a submission by what the release says it is
    depends     the context cells an exercise needs (a name-dependency slice)
    kernel      the grading environment (a venv outside the repository) and one kernel
    submission  one notebook graded in a worker: what ran, what its hidden tests recorded
    compare     recorded values against the solutions', in the grader's own process
    plant       the hidden tests' own test: an answer right on the self-check's inputs only
    scores      a submission's scores, kept results, the gradebook and feedback written
    course      the course folder's assignments: made from the book, read back
    gradebook   nbgrader's gradebook, course config and autograded notebooks
    report      grades.csv, the feedback pages, the terminal's summary
    assignments `make assignments`; grade: `make grade`; lms: Canvas and Gradescope exports

No module names an exercise: the chapters' sources and _config.yml's course block say it all.
"""
