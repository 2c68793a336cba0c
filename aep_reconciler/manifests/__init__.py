"""Everything read from the git tree: manifests, reconciler.yaml, variables, checks, schema."""
