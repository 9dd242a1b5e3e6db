"""A loopback Hugging Face Hub: huggingface_hub and diffusers talk to it through HF_ENDPOINT as
they talk to huggingface.co, so the semester build can be rehearsed where no hub is reachable.

It speaks the part of the hub's protocol that `from_pretrained` uses (huggingface_hub 2.x):
- `GET api/models/<id>[/revision/<rev>]`: the model's info, its commit and its files (siblings);
- `GET api/models/<id>/tree/<rev>`: the file listing, LFS files with their SHA-256 and size;
- `HEAD|GET <id>/resolve/<rev>/<path>`: small files directly with ETag, X-Repo-Commit and
  Content-Length; weight files (LFS on the hub) redirected to a CDN address with X-Linked-Etag
  and X-Linked-Size, as the hub redirects them.
Gating as on the hub: a gated repository's info and file listing are public; its files answer
401 GatedRepo without a token and 403 GatedRepo to a token not granted access; a token the hub
does not know gets 401 "Invalid credentials" from every route. A repository's `stall_after`
makes the CDN stop answering mid-file, as a dying connection would.
"""

import hashlib
import json
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools.rehearsal.standins import serve

LFS_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt")
INVALID_TOKEN = "Invalid credentials in Authorization header"


class Repo:
    def __init__(self, repo_id, folder, tokens=(), refused=(), stall_after: int | None = None):
        self.id, self.folder, self.stall_after = repo_id, Path(folder), stall_after
        self.tokens, self.refused = set(tokens), set(refused)  # tokens: gated when any
        self.files = {}
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            size = path.stat().st_size
            blob, sha256 = hashlib.sha1(b"blob %d\0" % size), hashlib.sha256()  # blob: git's id
            with path.open("rb") as data:  # by the MB: weights are gigabytes
                while chunk := data.read(2**20):
                    blob.update(chunk)
                    sha256.update(chunk)
            self.files[path.relative_to(self.folder).as_posix()] = {
                "size": size,
                "oid": blob.hexdigest(),
                "sha256": sha256.hexdigest(),
                "lfs": path.suffix in LFS_SUFFIXES,
            }
        listing = json.dumps(sorted((k, v["sha256"]) for k, v in self.files.items()))
        self.commit = hashlib.sha1(listing.encode()).hexdigest()

    def info(self) -> dict:
        return {
            "_id": self.commit[:24], "id": self.id, "modelId": self.id, "sha": self.commit,
            "private": False, "disabled": False, "gated": "manual" if self.tokens else False,
            "library_name": "diffusers", "tags": ["diffusers"], "downloads": 0, "likes": 0,
            "createdAt": "2022-08-10T00:00:00.000Z", "lastModified": "2022-08-10T00:00:00.000Z",
            "siblings": [{"rfilename": name} for name in self.files],
        }  # fmt: skip

    def tree(self) -> list[dict]:
        entries = []
        for name, meta in self.files.items():
            entry = {"type": "file", "oid": meta["oid"], "size": meta["size"], "path": name}
            if meta["lfs"]:
                entry["lfs"] = {"oid": meta["sha256"], "size": meta["size"], "pointerSize": 134}
            entries.append(entry)
        return entries


class LoopbackHub(serve.Server):
    """`with LoopbackHub([Repo(...)]) as hub:` serves on 127.0.0.1; `hub.url` is HF_ENDPOINT;
    `hub.requests` records (method, path, authorization) of every request."""

    def __init__(self, repos):
        self.repos = {repo.id: repo for repo in repos}
        self.requests = []
        self.stopping = threading.Event()
        super().__init__(self.handler())
        # Another origin, as the hub's CDN is: huggingface_hub follows no redirect off the hub.
        self.cdn_server = serve.Server(self.handler())

    def start(self):
        self.cdn_server.start()
        return super().start()

    def stop(self):
        self.stopping.set()
        self.cdn_server.stop()
        super().stop()

    def handler(self):
        hub = self

        class Handler(serve.Handler):
            def answer(self):
                hub.requests.append((self.command, self.path, self.headers.get("Authorization")))
                path = unquote(urlsplit(self.path).path).lstrip("/")
                if path.startswith("cdn/"):
                    return hub.cdn(self, path.removeprefix("cdn/"))
                if path.startswith("api/models/"):
                    return hub.api(self, path.removeprefix("api/models/"))
                if "/resolve/" in path:
                    repo_id, rest = path.split("/resolve/", 1)
                    revision, _, name = rest.partition("/")
                    return hub.resolve(self, repo_id, revision, name)
                return self.error(404, "RepoNotFound", "Repository not found")

            do_GET = do_HEAD = answer

        return Handler

    def refuse(self, request, repo: Repo | None, files: bool) -> bool:
        """Answer as the hub does when the repository is unknown or the token falls short;
        `files`: the request is for a file (gated), not the public info of the repository."""
        if repo is None:
            request.error(404, "RepoNotFound", "Repository not found")
            return True
        if not repo.tokens:
            return False
        authorization = request.headers.get("Authorization") or ""
        token = authorization.removeprefix("Bearer ").strip()
        if token and token not in repo.tokens | repo.refused:
            request.error(401, None, INVALID_TOKEN)
        elif files and not token:
            message = f"Access to model {repo.id} is restricted. You must be authenticated."
            request.error(401, "GatedRepo", message)
        elif files and token in repo.refused:
            message = f"Access to model {repo.id} is restricted and you are not in the list."
            request.error(403, "GatedRepo", message)
        else:
            return False
        return True

    def api(self, request, rest: str):
        repo_id, kind, revision = rest, "info", "main"
        for marker in ("/revision/", "/tree/"):
            if marker in rest:
                repo_id, revision = rest.split(marker, 1)
                kind = marker.strip("/")
                revision = revision.split("/", 1)[0]
        repo = self.repos.get(repo_id)
        if self.refuse(request, repo, files=False):
            return
        if revision not in ("main", repo.commit):
            return request.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        request.send_json(repo.tree() if kind == "tree" else repo.info())

    def resolve(self, request, repo_id: str, revision: str, name: str):
        repo = self.repos.get(repo_id)
        if self.refuse(request, repo, files=True):
            return
        if revision not in ("main", repo.commit):
            return request.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        meta = repo.files.get(name)
        if meta is None:
            return request.error(404, "EntryNotFound", f"{name} does not exist")
        headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{meta["oid"]}"'}
        if meta["lfs"]:  # the hub sends weights from its CDN
            headers |= {
                "Location": f"{self.cdn_server.url}/cdn/{repo.id}/{repo.commit}/{name}",
                "X-Linked-Etag": f'"{meta["sha256"]}"',
                "X-Linked-Size": str(meta["size"]),
            }
            return request.send(302, b"", headers)
        request.send_file(200, repo.folder / name, headers)

    def cdn(self, request, rest: str):
        for repo in self.repos.values():
            prefix = f"{repo.id}/{repo.commit}/"
            if rest.startswith(prefix) and rest.removeprefix(prefix) in repo.files:
                path = repo.folder / rest.removeprefix(prefix)
                stall = repo.stall_after
                break
        else:
            return request.error(404, None, "not found")
        start = request.range_start()
        status = 206 if start else 200
        if stall is None or request.command == "HEAD":
            return request.send_file(status, path, {}, start)
        # a connection that dies mid-file: part of it, then silence until the hub stops
        request.send_file(status, path, {}, start, count=stall)
        deadline = time.monotonic() + 120
        while not self.stopping.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
