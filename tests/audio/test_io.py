"""read_audio: soundfile decode to 16 kHz float32 mono, conversions warned, bad files named."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from spoofcm.audio.io import (AudioWarning, audio_info, flac_streaminfo, read_audio,
                              resampled_length)
from spoofcm.errors import SpoofcmError


def test_pcm16_flac_roundtrip_float32_in_range(tmp_path):
    pcm = (np.arange(-8000, 8000, 3) * 4).astype(np.int16)
    sf.write(str(tmp_path / "a.flac"), pcm, 16000, subtype="PCM_16")
    wave = read_audio(tmp_path / "a.flac")
    assert wave.dtype == np.float32 and wave.ndim == 1 and len(wave) == len(pcm)
    np.testing.assert_allclose(wave, pcm / 32768.0, atol=1e-7)
    assert audio_info(tmp_path / "a.flac") == (len(pcm), 16000, 1)


def test_stereo_is_mixed_down_with_warning(tmp_path):
    t = np.arange(1600) / 16000
    left, right = 0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.ones_like(t)
    sf.write(str(tmp_path / "s.wav"), np.stack([left, right], 1), 16000, subtype="FLOAT")
    with pytest.warns(AudioWarning, match="s.wav: 2 channels mixed down"):
        wave = read_audio(tmp_path / "s.wav")
    np.testing.assert_allclose(wave, (left + right) / 2, atol=1e-6)


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 48000])
def test_other_rates_resampled_with_warning(tmp_path, sr):
    n = sr  # one second of a 1 kHz tone
    tone = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(n) / sr)
    sf.write(str(tmp_path / "r.flac"), tone, sr)
    with pytest.warns(AudioWarning, match=f"sample rate {sr} Hz resampled to 16000 Hz"):
        wave = read_audio(tmp_path / "r.flac")
    assert len(wave) == resampled_length(n, sr) == 16000
    spectrum = np.abs(np.fft.rfft(wave))
    assert abs(np.argmax(spectrum) - 1000) <= 1  # 1 Hz bins: the tone stays at 1 kHz
    ref = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000)
    np.testing.assert_allclose(wave[200:-200], ref[200:-200], atol=2e-2)


def test_resampled_length_rounds_up():
    assert resampled_length(10, 22050) == 8  # ceil(10 * 320 / 441)
    assert resampled_length(12345, 16000) == 12345


def test_empty_and_corrupt_files_name_the_file(tmp_path):
    sf.write(str(tmp_path / "empty.wav"), np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(SpoofcmError, match="empty.wav: audio file holds no samples"):
        read_audio(tmp_path / "empty.wav")
    (tmp_path / "junk.flac").write_bytes(b"\x00" * 100)
    with pytest.raises(SpoofcmError, match="junk.flac: cannot decode audio"):
        read_audio(tmp_path / "junk.flac")
    good = tmp_path / "cut.flac"
    sf.write(str(good), 0.1 * np.random.default_rng(0).standard_normal(16000), 16000)
    good.write_bytes(good.read_bytes()[:200])  # truncated inside the first frame
    with pytest.raises(SpoofcmError, match="cut.flac"):
        read_audio(good)
    with pytest.raises(SpoofcmError, match="missing.flac"):
        read_audio(tmp_path / "missing.flac")


@pytest.mark.parametrize("sr,channels,subtype", [(16000, 1, "PCM_16"), (44100, 2, "PCM_24"),
                                                 (8000, 1, "PCM_S8")])
def test_flac_header_fast_path_agrees_with_libsndfile(tmp_path, sr, channels, subtype):
    path = tmp_path / "x.flac"
    sf.write(str(path), np.zeros((12345, channels)), sr, subtype=subtype)
    info = sf.info(str(path))
    assert flac_streaminfo(path) == (info.frames, info.samplerate, info.channels) == (12345, sr, channels)
    assert audio_info(path) == (12345, sr, channels)


def test_flac_fast_path_declines_other_files(tmp_path):
    wav = tmp_path / "x.wav"
    sf.write(str(wav), np.zeros(100), 16000)
    assert flac_streaminfo(wav) is None and audio_info(wav) == (100, 16000, 1)
    (tmp_path / "short.flac").write_bytes(b"fLaC\0")
    assert flac_streaminfo(tmp_path / "short.flac") is None
    with pytest.raises(SpoofcmError, match="short.flac: cannot read audio header"):
        audio_info(tmp_path / "short.flac")
    assert flac_streaminfo(tmp_path / "missing.flac") is None
