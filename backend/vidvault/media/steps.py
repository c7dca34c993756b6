"""The processing steps: one job per video and step."""

from enum import StrEnum


class Step(StrEnum):
    # Probe, poster and storyboard: cheap, reads only what it needs. Queued
    # for every upload.
    INSPECT = "inspect"
    # The browser-playable copy, queued by INSPECT only when one is needed.
    TRANSCODE = "transcode"
