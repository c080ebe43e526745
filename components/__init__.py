"""Component families of the platform: a frozen spec, its pure manifests(), its ComponentResource.

Each module holds one family. manifests() returns plain Kubernetes-shaped dicts and touches
neither Pulumi nor the file system; the ComponentResource only registers those same dicts.
"""
