"""The notebooks' accessibility check (tools/student/notebook_a11y.py) on planted bad input, and on
every notebook of the published tree."""

import nbformat
import pytest

from helpers import ROOT, chapters
from tools.student.notebook_a11y import headings, problems


def notebook(*markdown: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(m) for m in markdown])


def test_a_good_notebook_passes():
    good = notebook(
        "[![Open in Colab](badge.svg)](https://colab)\n\n# Title",
        "## A section\n\n![A plot of the loss falling](loss.png)",
        "### A subsection\n\n<img src='x.png' alt='the x'>\n\n## Next\n\n# Another part",
    )
    assert problems(good, "good.ipynb") == []


@pytest.mark.parametrize(
    "image",
    ["![](figure.png)", "![  ](figure.png)", '<img src="figure.png">', "<img src=f.png alt=''>"],
)
def test_an_image_without_alt_text_is_named(image):
    found = problems(notebook("# Title", f"Some text.\n\n{image}"), "03-losses.ipynb")
    assert len(found) == 1
    assert found[0].startswith("03-losses.ipynb, cell 1: image without alt text:")
    assert "figure.png" in found[0] or "f.png" in found[0]


def test_a_heading_that_skips_a_level_is_named():
    found = problems(notebook("# Title", "## Section", "#### Too deep"), "05-diffusion.ipynb")
    assert found == ["05-diffusion.ipynb, cell 2: heading #### 'Too deep' skips a level (after h2)"]
    found = problems(notebook("## No title first"), "x.ipynb")
    assert found == ["x.ipynb, cell 0: heading ## 'No title first' skips a level (after the start)"]


def test_code_is_not_read_as_headings_or_images():
    text = "# Title\n\n```python\n#### a comment\nx = '![](nothing.png)'\n```"
    assert problems(notebook(text), "x.ipynb") == []


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_published_notebooks_have_alt_text_and_ordered_headings(chapter):
    path = ROOT / "_build" / "publish" / f"{chapter}.ipynb"
    if not path.exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    published = nbformat.read(path, as_version=4)
    markdown = [c.source for c in published.cells if c.cell_type == "markdown"]
    assert len([h for source in markdown for h in headings(source)]) > 3  # it did find them
    assert problems(published, path.name) == []
