"""tools/student/archive.py on small trees: what a publish keeps, replaces and refuses.
(test_archive.py publishes two real semesters through publish_student.sh.)"""

import json

import pytest

from tools.student import archive


def edition(version: str, preferred: bool = True) -> dict:
    url = f"https://acme.github.io/students/{version}/"
    return {"name": version.title(), "version": version, "url": url, "preferred": preferred}


def site(folder, version: str, text: str):
    """A published tree whose docs/ holds one page at the root and at its tag."""
    (folder / "book").mkdir(parents=True)
    (folder / "book" / "01.ipynb").write_text(text)
    for docs in (folder / "docs", folder / "docs" / version):
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "index.html").write_text(f"{version}: {text}")
    (folder / "docs" / "switcher.json").write_text(json.dumps([edition(version)]))
    return folder


def test_a_new_semester_keeps_the_earlier_folders_and_replaces_the_rest(tmp_path):
    clone = site(tmp_path / "clone", "fall-2026", "old")
    (clone / ".git").mkdir()
    (clone / ".git" / "HEAD").write_text("ref")
    (clone / "book" / "02.ipynb").write_text("a chapter the new semester dropped")
    before = (clone / "docs" / "fall-2026" / "index.html").stat()
    listed = archive.merge(site(tmp_path / "tree", "spring-2027", "new"), clone)
    assert listed == [edition("spring-2027"), edition("fall-2026", preferred=False)]
    assert json.loads((clone / "docs" / "switcher.json").read_text()) == listed
    assert (clone / "docs" / "index.html").read_text() == "spring-2027: new"
    assert (clone / "docs" / "spring-2027" / "index.html").read_text() == "spring-2027: new"
    kept = clone / "docs" / "fall-2026" / "index.html"
    assert kept.read_text() == "fall-2026: old" and kept.stat().st_mtime_ns == before.st_mtime_ns
    assert not (clone / "book" / "02.ipynb").exists() and (clone / ".git" / "HEAD").exists()


def test_republishing_a_semester_replaces_its_own_folder(tmp_path):
    clone = site(tmp_path / "clone", "fall-2026", "first")
    archive.merge(site(tmp_path / "tree", "fall-2026", "errata fixed"), clone)
    assert (clone / "docs" / "fall-2026" / "index.html").read_text() == "fall-2026: errata fixed"
    assert json.loads((clone / "docs" / "switcher.json").read_text()) == [edition("fall-2026")]


def test_an_edition_whose_folder_is_gone_leaves_the_list(tmp_path, capsys):
    clone = site(tmp_path / "clone", "fall-2026", "old")
    listed = [edition("fall-2026"), edition("spring-2026", preferred=False)]
    (clone / "docs" / "switcher.json").write_text(json.dumps(listed))
    merged = archive.merge(site(tmp_path / "tree", "spring-2027", "new"), clone)
    assert [e["version"] for e in merged] == ["spring-2027", "fall-2026"]
    assert "no docs/ folder for spring-2026" in capsys.readouterr().out


def test_a_tag_that_names_a_folder_of_the_site_is_refused(tmp_path):
    built = tmp_path / "html"
    (built / "book").mkdir(parents=True)
    with pytest.raises(archive.ArchiveError, match="top-level 'book'"):
        archive.lay_out(built, tmp_path / "docs", "book")
    clone = site(tmp_path / "clone", "fall-2026", "old")
    tree = site(tmp_path / "tree", "spring-2027", "new")
    (tree / "docs" / "fall-2026").mkdir()  # the new site has a folder of that name
    with pytest.raises(archive.ArchiveError, match="fall-2026"):
        archive.merge(tree, clone)


def test_the_link_check_names_a_missing_file_and_a_missing_anchor(tmp_path):
    from links import broken_links

    site = "https://acme.github.io/students/"
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.html").write_text(
        '<h1 id="top">A</h1><a href="b.html#there">ok</a><a href="b.html#gone">x</a>'
        f'<a href="{site}book/a.html#top">ok</a><a href="{site}c.html">x</a>'
        '<img src="../_images/none.png"><a href="https://colab.research.google.com/x">ok</a>'
    )
    (tmp_path / "book" / "b.html").write_text('<p id="there">B</p>')
    assert broken_links(tmp_path, site) == [
        "book/a.html: b.html#gone (no anchor #gone)",
        f"book/a.html: {site}c.html (no file)",
        "book/a.html: ../_images/none.png (no file)",
    ]
