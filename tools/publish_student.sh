#!/usr/bin/env bash
# Push a built student tree to the public student repository and tag it with the semester.
#   STUDENT_REPOSITORY=ORG/REPO DEPLOY_KEY="$(cat key)" tools/publish_student.sh FOLDER
# DEPLOY_KEY is the private half of a deploy key with write access to that repository only, so
# the workflow's own token (which can read this private repository) never leaves it.
set -euo pipefail
folder=$1
: "${STUDENT_REPOSITORY:?set the repository variable STUDENT_REPOSITORY (ORG/REPO)}"
: "${DEPLOY_KEY:?set the secret STUDENT_DEPLOY_KEY (a deploy key with write access)}"
semester=$(.venv/bin/python -c 'import yaml; print(yaml.safe_load(open("_config.yml"))["course"]["semester"])')
tag=$(echo "$semester" | tr '[:upper:] ' '[:lower:]-')   # "Fall 2026" -> fall-2026
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
