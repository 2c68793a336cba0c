"""reconciler: GitOps for Adobe Experience Platform datasets and profile export jobs."""

__version__ = "0.1.0"
