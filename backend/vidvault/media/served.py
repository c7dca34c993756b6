"""Which stored bytes a player gets for a video: its browser-playable copy or the original."""

from vidvault.media.exceptions import PlaybackUnavailable
from vidvault.videos.delivery import ServedFile
from vidvault.videos.models import Video, VideoStatus
from vidvault.videos.service import has_playback


def playback_file(video: Video) -> ServedFile:
    """The bytes browsers play: the copy if one was made, else the original if it plays."""
    copy = video.playback_copy
    if copy is not None:
        name = video.filename.rsplit(".", 1)[0] + ".mp4"
        return ServedFile(
            copy.file_id, copy.size, copy.chunk_size, copy.content_type, name, copy.created_at
        )
    if video.plays_in_browsers:
        return ServedFile.original(video)
    if video.status is VideoStatus.FAILED:
        raise PlaybackUnavailable(
            f"This video could not be made playable: {video.processing_error}. "
            "The original stays downloadable at stream_url"
        )
    raise PlaybackUnavailable


def shared_file(video: Video) -> ServedFile:
    """What a share link plays: what the owner's player does once processing has found
    or made browser-playable bytes, the original until then (a share never waits)."""
    return playback_file(video) if has_playback(video) else ServedFile.original(video)
