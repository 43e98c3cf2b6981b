from spoofcm.bin.cfg_get import main


def test_cfg_get_prints_shell_friendly_values(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("ssl: {cache: true, layers: [-1, 6], checkpoint: a.pt}\n")
    assert main(["--config", str(cfg), "--key", "ssl.cache"]) == 0
    assert main(["--config", str(cfg), "--key", "ssl.layers"]) == 0
    assert main(["--config", str(cfg), "--key", "ssl.checkpoint", "--ssl.checkpoint", "b.pt"]) == 0
    assert main(["--config", str(cfg), "--key", "ssl.missing"]) == 0
    assert capsys.readouterr().out.splitlines() == ["true", "-1,6", "b.pt", ""]
