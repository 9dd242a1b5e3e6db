#!/usr/bin/env bash
# Push the published tree (`make publish`) to the student repository of _config.yml and tag it.
#   DEPLOY_KEY="$(cat key)" tools/student/publish_student.sh _build/publish   (from the root)
# DEPLOY_KEY is the private half of a deploy key with write access to that repository only, so
# the workflow's own token (which can read this private repository) never leaves it.
# STUDENT_REMOTE replaces the repository's address (another git URL or a local bare repository,
# which needs no key): a mirror, or tests/test_archive.py's scratch repository.
set -euo pipefail
folder=$(realpath "$1")
# _config.yml's course settings, by the one loader every tool uses (tools/settings.py)
setting() { .venv/bin/python -m tools.settings "$1"; }
semester=$(setting semester)
tag=$(setting student_tag)
STUDENT_REPOSITORY=$(setting student_slug)
remote=${STUDENT_REMOTE:-git@github.com:${STUDENT_REPOSITORY}.git}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $remote == git@* ]]; then
  : "${DEPLOY_KEY:?set the secret STUDENT_DEPLOY_KEY (a deploy key with write access)}"
  printf '%s\n' "$DEPLOY_KEY" > "$work/key"
  chmod 600 "$work/key"
  export GIT_SSH_COMMAND="ssh -i $work/key -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
fi
# The repository as it is, with its history and every earlier semester's docs/<tag>/: this
# semester's tree replaces the rest, and those folders stay as they were published
# (tools/student/archive.py; docs/switcher.json lists them after the new edition).
clone="$work/student"
if git ls-remote --exit-code --heads "$remote" main >/dev/null; then
  git clone -q --depth 1 --branch main "$remote" "$clone"
else
  git init -q -b main "$clone"  # the first publish
fi
.venv/bin/python -m tools.student.archive "$folder" "$clone"
cd "$clone"
git add -A
git -c user.name="book build" -c user.email="book-build@users.noreply.github.com" \
  commit -q --allow-empty -m "Student edition, $semester (source ${GITHUB_SHA:-local})"
git push -q "$remote" main
# The semester tag is what students install from: set once, never moved, so a notebook does not
# change under a student mid-semester. Delete it by hand to republish the semester.
if git ls-remote --exit-code --tags "$remote" "refs/tags/$tag" >/dev/null; then
  echo "publish_student: tag $tag already exists on $STUDENT_REPOSITORY; kept as it is"
else
  git tag "$tag"
  git push -q "$remote" "refs/tags/$tag"
fi
echo "publish_student: pushed $folder to $STUDENT_REPOSITORY (main; semester tag $tag)"
