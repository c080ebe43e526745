"""The Kubernetes-aware diff: what a change does to each resource of each stage.

normalize (named lists, quantities) -> compare (deepdiff) -> classify (rollout class) ->
risks (what the change weakens) -> redact (secret-like values never leave).
"""
