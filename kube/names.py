"""Kubernetes object names: the DNS label and subdomain rules the API server enforces."""

from __future__ import annotations

import re

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?\Z")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")


def is_dns1123_label(name: str) -> bool:
    """Namespace and most object names: lower-case alphanumerics and '-', at most 63."""
    return len(name) <= 63 and DNS1123_LABEL.match(name) is not None


def is_dns1035_label(name: str) -> bool:
    """Service names: a DNS-1123 label that starts with a letter."""
    return len(name) <= 63 and DNS1035_LABEL.match(name) is not None


def is_dns1123_subdomain(name: str) -> bool:
    """Host names and most object names: dot-separated labels, at most 253."""
    return len(name) <= 253 and DNS1123_SUBDOMAIN.match(name) is not None
