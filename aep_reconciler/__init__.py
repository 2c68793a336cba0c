"""reconciler: GitOps for Adobe Experience Platform datasets and profile export jobs."""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "aep-reconciler"  # the name on the package index; the import name is reconciler

try:
    __version__ = version(DISTRIBUTION)  # set from the git tag when the package was built
except PackageNotFoundError:  # a source tree never installed
    __version__ = "0+unknown"
