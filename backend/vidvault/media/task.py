"""What a worker hands the process that does one step's media work, and what comes back.

The media work runs in a child process: FFmpeg's decoders and encoders get
their own address space (a crash or a runaway allocation on a hostile file
takes down the child, never the worker), a job is stopped by killing it,
and its CPU priority is the worker's, below the API's. The child reads the
original from the database and writes its outputs to a scratch directory;
the worker stores them. One JSON object per line on stdout.
"""

from pathlib import Path

from pydantic import BaseModel

from vidvault.media.probe import MediaInfo
from vidvault.media.steps import Step

# The child's database connection, from the environment the worker gives it.
DATABASE_URL_VARIABLE = "MONGODB_URL"
DATABASE_NAME_VARIABLE = "MONGODB_DB"


class StepTask(BaseModel):
    step: Step
    file_id: str
    chunk_size: int
    size: int
    content_type: str
    workdir: Path
    max_duration_seconds: float
    threads: int = 0  # encoder threads; 0: as many as there are cores


class ImageOutput(BaseModel):
    path: Path
    content_type: str
    width: int
    height: int


class StoryboardOutput(BaseModel):
    sprite: ImageOutput
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int
    interval_seconds: float


class InspectResult(BaseModel):
    probe: MediaInfo
    plays_in_browsers: bool
    poster: ImageOutput
    storyboard: StoryboardOutput


class TranscodeResult(BaseModel):
    path: Path
    content_type: str


class StepMessage(BaseModel):
    """One line from the child: progress, a result, or why the file was refused."""

    progress: float | None = None
    inspected: InspectResult | None = None
    transcoded: TranscodeResult | None = None
    rejected: str | None = None
    bytes_read: int | None = None
