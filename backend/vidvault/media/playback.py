"""Whether browsers play a video as it is, and the H.264/AAC MP4 copy when they do not."""

from __future__ import annotations  # av.Packet is generic to mypy only

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.packet import Packet
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from vidvault.media.errors import MediaRejected, plainly
from vidvault.media.frames import even
from vidvault.media.probe import MediaInfo, video_stream

# What current Chromium and Firefox both play: container -> (video, audio) codecs.
BROWSER_PLAYABLE = {
    "mp4": ({"h264", "vp9", "av1"}, {"aac", "mp3", "opus", "flac"}),
    "webm": ({"vp8", "vp9", "av1"}, {"opus", "vorbis"}),
}
# H.264 in browsers is 8-bit 4:2:0; a 10-bit or 4:4:4 stream does not decode.
BROWSER_H264_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080  # "at most 1080p", either orientation

COPY_CONTENT_TYPE = "video/mp4"
VIDEO_ENCODER = "libx264"
# The same settings the bench gives the ffmpeg command line.
VIDEO_OPTIONS = {"preset": "veryfast", "crf": "23", "profile": "high"}
AUDIO_ENCODER = "aac"
AUDIO_RATES = {44100, 48000}
AUDIO_BIT_RATE = 128_000


def plays_in_browsers(info: MediaInfo) -> bool:
    video_codecs, audio_codecs = BROWSER_PLAYABLE.get(info.container, (set(), set()))
    if info.video_codec not in video_codecs:
        return False
    if info.audio_codec is not None and info.audio_codec not in audio_codecs:
        return False
    return info.video_codec != "h264" or info.pixel_format in BROWSER_H264_PIXEL_FORMATS


def copy_size(width: int, height: int) -> tuple[int, int]:
    """The copy's frame size: the source's, scaled down to fit 1080p, even sides."""
    long_side, short_side = max(width, height), min(width, height)
    scale = min(1.0, MAX_LONG_SIDE / long_side, MAX_SHORT_SIDE / short_side)
    return even(width * scale), even(height * scale)


class _Copy:
    """One transcode: demux once, decode, scale, encode, mux with the index in front."""

    def __init__(
        self, source: InputContainer, output: OutputContainer, info: MediaInfo, threads: int
    ):
        self.source, self.output, self.info = source, output, info
        self.video_in = video_stream(source)
        self.audio_in: AudioStream | None = next(iter(source.streams.audio), None)
        self.video_out = self._video_stream(threads)
        self.audio_out, self.resampler = self._audio_stream()
        self._last_pts: int | None = None
        self._audio_samples = 0

    def _video_stream(self, threads: int) -> VideoStream:
        context_in = self.video_in.codec_context
        rate = self.video_in.average_rate or self.video_in.guessed_rate or Fraction(30)
        stream = self.output.add_stream(VIDEO_ENCODER, rate=rate, options=VIDEO_OPTIONS)
        assert isinstance(stream, VideoStream)
        stream.width, stream.height = copy_size(context_in.width, context_in.height)
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = self.video_in.time_base
        stream.thread_count = threads
        if self.info.rotation:
            stream.set_display_rotation(self.info.rotation)
        return stream

    def _audio_stream(self) -> tuple[AudioStream | None, AudioResampler | None]:
        if self.audio_in is None:
            return None, None
        rate = self.audio_in.rate if self.audio_in.rate in AUDIO_RATES else 48000
        stream = self.output.add_stream(AUDIO_ENCODER, rate=rate)
        assert isinstance(stream, AudioStream)
        stream.layout = "stereo"
        stream.bit_rate = AUDIO_BIT_RATE
        return stream, AudioResampler(format="fltp", layout="stereo", rate=rate)

    def run(self, progress: Callable[[float], None]) -> None:
        streams = [s for s in (self.video_in, self.audio_in) if s is not None]
        for packet in self.source.demux(streams):
            if packet.stream is self.video_in:
                self._video(packet)
                progress(self._fraction(packet))
            elif self.audio_in is not None:
                self._audio(packet)
        self._mux(self.video_out.encode(None))
        if self.audio_out is not None:
            self._mux(self.audio_out.encode(None))

    def _fraction(self, packet: Packet[Any]) -> float:
        if packet.pts is None or packet.time_base is None or not self.info.duration_seconds:
            return 0.0
        return min(1.0, float(packet.pts * packet.time_base) / self.info.duration_seconds)

    def _video(self, packet: Packet[Any]) -> None:
        out = self.video_out
        for frame in packet.decode():
            assert isinstance(frame, VideoFrame)
            scaled = frame.reformat(width=out.width, height=out.height, format="yuv420p")
            scaled.pts = self._next_pts(frame.pts)
            scaled.time_base = self.video_in.time_base
            self._mux(out.encode(scaled))

    def _next_pts(self, pts: int | None) -> int:
        # The encoder needs strictly increasing timestamps; AVI and damaged
        # files do not always have them.
        if pts is None or (self._last_pts is not None and pts <= self._last_pts):
            pts = 0 if self._last_pts is None else self._last_pts + 1
        self._last_pts = pts
        return pts

    def _audio(self, packet: Packet[Any]) -> None:
        assert self.audio_out is not None
        assert self.resampler is not None
        for frame in packet.decode():
            for resampled in self.resampler.resample(frame):  # type: ignore[arg-type]
                resampled.pts = self._audio_samples
                resampled.time_base = Fraction(1, self.audio_out.rate)
                self._audio_samples += resampled.samples
                self._mux(self.audio_out.encode(resampled))

    def _mux(self, packets: list[Packet[Any]]) -> None:
        for packet in packets:
            self.output.mux(packet)


def make_copy(
    source: InputContainer,
    destination: Path,
    info: MediaInfo,
    progress: Callable[[float], None],
    threads: int = 0,
) -> None:
    """Write the browser-playable copy to `destination` (an MP4 with its moov first)."""
    with av.open(
        str(destination), mode="w", format="mp4", options={"movflags": "+faststart"}
    ) as output:
        try:
            _Copy(source, output, info, threads).run(progress)
        except av.FFmpegError as error:
            raise MediaRejected(f"The video could not be converted: {plainly(error)}") from error
