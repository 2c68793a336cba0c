"""The performance benchmark of issue 7: reconciler plan/apply against the request floor."""
