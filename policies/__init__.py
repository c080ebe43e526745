"""The CrossGuard policy pack of the platform: one rule per module under policies/rules/.

The same rule functions run under `pulumi preview --policy-pack policies` and offline in
`pipeline check`; policies depend on nothing of the repository but kube/, the shared helpers
for reading manifests.
"""
