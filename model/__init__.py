"""The platform model: stage files loaded, validated and turned into frozen dataclasses."""
