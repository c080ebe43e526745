from policies.rules import image_digest as rule
from tests.policies.helpers import check, fixture, messages


def test_pinned_images_pass():
    assert check(rule, fixture(rule, "pass", "pinned"), require_digest=True) == []


def test_tags_fail_where_digests_are_required():
    assert messages(check(rule, fixture(rule, "fail", "tags"), require_digest=True)) == [
        "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec.initContainers[wait].image: "
        "is 'busybox:1.36', must be pinned by digest (@sha256:...).",
        "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec.containers[pg-dump].image: "
        "is 'docker.io/library/postgres:16.4', must be pinned by digest (@sha256:...).",
    ]


def test_stages_that_do_not_require_digests_accept_tags():
    assert check(rule, fixture(rule, "fail", "tags"), require_digest=False) == []
    assert check(rule, fixture(rule, "fail", "tags")) == []  # the default: not required
