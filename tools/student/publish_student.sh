#!/usr/bin/env bash
# Push the published tree (`make publish`) to the student repository of _config.yml and tag it.
#   DEPLOY_KEY="$(cat key)" tools/student/publish_student.sh _build/publish   (from the root)
# DEPLOY_KEY is the private half of a deploy key with write access to that repository only, so
# the workflow's own token (which can read this private repository) never leaves it.
set -euo pipefail
folder=$1
: "${DEPLOY_KEY:?set the secret STUDENT_DEPLOY_KEY (a deploy key with write access)}"
# _config.yml's course settings, by the one loader every tool uses (tools/settings.py)
setting() { .venv/bin/python -m tools.settings "$1"; }
semester=$(setting semester)
tag=$(setting student_tag)
STUDENT_REPOSITORY=$(setting student_slug)
key=$(mktemp)
trap 'rm -f "$key"' EXIT
printf '%s\n' "$DEPLOY_KEY" > "$key"
export GIT_SSH_COMMAND="ssh -i $key -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
cd "$folder"
rm -rf .git
git init -q -b main
git add -A
git -c user.name="book build" -c user.email="book-build@users.noreply.github.com" \
  commit -qm "Student edition, $semester (source ${GITHUB_SHA:-local})"
remote="git@github.com:${STUDENT_REPOSITORY}.git"
git push -f "$remote" main
# The semester tag is what students install from: set once, never moved, so a notebook does not
# change under a student mid-semester. Delete it by hand to republish the semester.
if git ls-remote --exit-code --tags "$remote" "refs/tags/$tag" >/dev/null; then
  echo "publish_student: tag $tag already exists on $STUDENT_REPOSITORY; kept as it is"
else
  git tag "$tag"
  git push "$remote" "refs/tags/$tag"
fi
echo "publish_student: pushed $folder to $STUDENT_REPOSITORY (main; semester tag $tag)"
