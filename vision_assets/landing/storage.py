"""Where the landing zone lives: a local folder, or a bucket in an object store (``s3://``, ``gs://``, ``az://``).

A location is a path or a URL; :func:`landing_path` turns it into a :class:`pathlib.Path` for a folder, or
a universal-pathlib ``UPath`` over the fsspec filesystem of its protocol (s3fs for ``s3://``; gcsfs and adlfs,
installed by the ``gcs`` and ``azure`` extras, for the others), so the layout, the loader, the quarantine and
the simulator use one path API on every store. Credentials and endpoints come from the store's own
environment (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, ``GOOGLE_APPLICATION_CREDENTIALS``,
``AZURE_STORAGE_CONNECTION_STRING``, ...) or fsspec's ``FSSPEC_<PROTOCOL>_<OPTION>`` variables: nothing
about them is written in a file here.

What differs on an object store, and is handled here rather than in each caller:

- **No rename.** A folder cannot be renamed into place, so the ``_SUCCESS`` marker written last is the
  only commit point (as it already is for the readers, :mod:`vision_assets.landing.layout`); a single object
  is written whole or not at all, so files need no write-aside-then-rename either
  (:func:`write_bytes_whole`).
- **No folders.** Nothing is created before a write: creating a "folder" in a bucket that vanished would
  create the bucket again.
- **Listings are cached by fsspec** for the life of a process; a sensor must see what landed since its last
  tick, so the cache is turned off.
- **Failures are remote.** Wrong credentials or a missing bucket become a :class:`LandingStoreError` that
  names the store, the bucket and the cause (:func:`store_errors`), not a listing that looks empty.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OBJECT_STORE_PROTOCOLS = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss")


class LandingStoreError(OSError):
    """The landing zone's store could not be read or written (credentials, a missing bucket, the network)."""


def landing_path(location: str | os.PathLike) -> Path:
    """A local folder as an absolute :class:`~pathlib.Path`, an object-store URL as a ``UPath``.

    The URL's path is kept as given (no resolving); its filesystem lists afresh on every call.
    universal-pathlib is imported only for a URL: every process that reads the landing zone (a sensor
    tick, ``vision trust``) imports this module.
    """
    if is_object_store(location):
        return location
    text = os.fspath(location) if not isinstance(location, str) else location
    protocol = text.split("://", 1)[0].lower() if "://" in text else ""
    if protocol in OBJECT_STORE_PROTOCOLS:
        from upath import UPath

        return UPath(text, use_listings_cache=False)
    if protocol not in ("", "file", "local"):
        raise ValueError(
            f"{text}: the landing zone must be a local folder or an object-store URL "
            f"({', '.join(p + '://' for p in ('s3', 'gs', 'az'))}); {protocol}:// is not supported"
        )
    return Path(text.split("://", 1)[1] if protocol else text).resolve()


def is_object_store(path) -> bool:
    """Whether a path is a ``UPath`` in an object store (a string or a local path is not)."""
    return getattr(path, "protocol", "") in OBJECT_STORE_PROTOCOLS


def bucket_of(path: Path) -> str:
    """The bucket (S3, GCS) or container (Azure) of an object-store path."""
    return path.path.lstrip("/").split("/", 1)[0]


def describe(path: Path) -> str:
    """How an error names a store: the URL, and the bucket it is in."""
    return f"{path} (bucket {bucket_of(path)})" if is_object_store(path) else str(path)


@contextmanager
def store_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn a remote store's failure while ``doing`` something under ``path`` into a clear error.

    A local folder's own errors (a missing file is often expected) pass through unchanged.
    """
    if not is_object_store(path):
        yield
        return
    try:
        yield
    except LandingStoreError:
        raise
    except PermissionError as error:
        raise LandingStoreError(
            f"{doing}: access to {describe(path)} was refused ({error}); check the store's credentials "
            "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for S3) and that they may read and write the bucket"
        ) from error
    except FileNotFoundError as error:
        if not _bucket_exists(path):
            raise LandingStoreError(
                f"{doing}: the bucket {bucket_of(path)} of {path} does not exist (any more); nothing was read "
                "from it past this point"
            ) from error
        raise
    except OSError as error:
        raise LandingStoreError(f"{doing}: {describe(path)} could not be reached ({error})") from error


def check_store(root: Path) -> None:
    """Fail now, naming the bucket, when an object-store root cannot be listed (credentials, no bucket).

    A listing of a bucket that does not exist (or that the credentials may not read) can come back empty
    instead of failing; a sensor must not take that for "nothing landed".
    """
    if not is_object_store(root):
        return
    with store_errors(root, "listing the landing zone"):
        if not _bucket_exists(root):
            raise LandingStoreError(
                f"listing the landing zone: the bucket {bucket_of(root)} of {root} does not exist"
            )


def _bucket_exists(path: Path) -> bool:
    bucket = bucket_of(path)
    try:
        path.fs.ls(bucket, detail=False, refresh=True)
    except FileNotFoundError:
        return False
    return True


def write_bytes_whole(path: Path, data: bytes) -> None:
    """Write a file so that a reader sees the old contents or the new, never a half-written file.

    Locally the bytes are written beside the target and renamed over it; an object store's PUT is whole by
    itself (and it has no rename).
    """
    if is_object_store(path):
        with store_errors(path, f"writing {path}"):
            path.write_bytes(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.writing")
    partial.write_bytes(data)
    os.replace(partial, path)


def remove_file(path: Path) -> None:
    """Remove a file if it is there."""
    with store_errors(path, f"removing {path}"):
        path.unlink(missing_ok=True)
