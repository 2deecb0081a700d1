"""The Packages page: stored deployment packages, uploading one, deleting one no function uses."""

from __future__ import annotations

from flask import Response, jsonify, request

from console import get_console
from console.core.packages import PackageError, PackageNotFound
from console.web import bp
from console.web.forms import package_refusal
from console.web.rendering import render


def _context(**extra: object) -> dict:
    return {"packages": get_console().list_packages(), "errors": {}, "message": "", **extra}


@bp.get("/packages")
def packages() -> tuple[str, int]:
    return render("packages.html", "_packages.html", **_context())


@bp.get("/packages.json")
def packages_json() -> Response:
    return jsonify({"packages": [
        {"sha256": p.sha256, "code_sha256": p.code_sha256, "filename": p.filename, "size": p.size,
         "unzipped_size": p.unzipped_size, "files": p.files, "created_at": p.created_at, "used_by": list(p.used_by)}
        for p in get_console().list_packages()
    ]})


@bp.post("/packages")
def upload_package() -> tuple[str, int]:
    upload = request.files.get("package_file")
    if upload is None or not upload.filename:
        return render("packages.html", "_packages.html", 422,
                      **_context(errors={"package": "Choose a .zip file to upload."}))
    try:
        package = get_console().upload_package(upload.stream, upload.filename)
    except PackageError as exc:
        return render("packages.html", "_packages.html", 422, **_context(errors={"package": package_refusal(exc, upload.filename)}))
    return render("packages.html", "_packages.html",
                  **_context(message=f"Stored {package.filename or 'the package'} ({package.files} files)."))


@bp.post("/packages/<sha256>/delete")
def delete_package(sha256: str) -> tuple[str, int]:
    try:
        package = get_console().delete_package(sha256)
    except PackageNotFound as exc:
        return render("packages.html", "_packages.html", 404, **_context(errors={"list": str(exc)}))
    except PackageError as exc:
        return render("packages.html", "_packages.html", 409, **_context(errors={"list": str(exc)}))
    return render("packages.html", "_packages.html",
                  **_context(message=f"Deleted {package.filename or sha256[:12]}."))
