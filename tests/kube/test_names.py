"""kube/names.py: the DNS name rules the Kubernetes API server enforces on object names."""

from __future__ import annotations

import pytest

from kube.names import is_dns1035_label, is_dns1123_label, is_dns1123_subdomain


@pytest.mark.parametrize(
    "name, valid",
    [
        ("a", True),
        ("agent-platform-prod", True),
        ("0abc", True),  # a DNS-1123 label may start with a digit
        ("a1", True),
        ("a--b", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("", False),
        ("-a", False),
        ("a-", False),
        ("A", False),
        ("Agent", False),
        ("a_b", False),
        ("a.b", False),
        ("a b", False),
        ("\u00e9", False),
    ],
)
def test_dns1123_label(name, valid):
    assert is_dns1123_label(name) is valid


@pytest.mark.parametrize(
    "name, valid",
    [
        ("agent-service", True),
        ("a", True),
        ("a1", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("0abc", False),  # unlike a DNS-1123 label, it must start with a letter
        ("1", False),
        ("Agent_Service", False),
        ("agent_service", False),
        ("-a", False),
        ("a-", False),
        ("", False),
        ("a.b", False),
    ],
)
def test_dns1035_label(name, valid):
    assert is_dns1035_label(name) is valid


@pytest.mark.parametrize(
    "name, valid",
    [
        ("api.agentflow.example.com", True),
        ("a", True),
        ("a.b.c", True),
        ("0.example.com", True),
        ("a-b.c-d", True),
        (".".join(["a" * 63] * 3) + "." + "a" * 61, True),  # 253 characters
        (".".join(["a" * 63] * 3) + "." + "a" * 62, False),  # 254 characters
        ("", False),
        ("a..b", False),
        (".a", False),
        ("a.", False),
        ("A.example.com", False),
        ("a_b.example.com", False),
        ("-a.example.com", False),
        ("a-.example.com", False),
    ],
)
def test_dns1123_subdomain(name, valid):
    assert is_dns1123_subdomain(name) is valid


def test_a_label_is_a_subdomain_but_not_the_other_way_round():
    assert is_dns1123_label("agent-service") and is_dns1123_subdomain("agent-service")
    assert is_dns1123_subdomain("a.b") and not is_dns1123_label("a.b")


@pytest.mark.parametrize(
    "check", [is_dns1123_label, is_dns1035_label, is_dns1123_subdomain], ids=lambda check: check.__name__
)
def test_a_trailing_newline_is_not_part_of_a_name(check):
    assert check("abc\n") is False
