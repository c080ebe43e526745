"""Kubernetes knowledge shared by every layer: quantities, names, images, cron, resource identity.

Pure functions over plain values and manifest dicts; nothing here knows about stages or Pulumi.
"""
