"""Generator of the mini corpus (corpus-only code: the spoofcm library never imports it).

Bona fide speech: real recorded telephone prompts from Debian packages. Spoofs: real TTS
engines, vocoders and a simulated replay. Output: the ASVspoof 2019 LA / 2021 LA+DF layouts.
"""
