"""Key management through the real `veritrain` binary: the password policy (a
new key's password has at least 8 characters), global flags after the
subcommand, `version`, `keys export` (the encrypted file, working unchanged in
another wallet), `keys delete` (refused without a confirmation, then gone), a
negative id refused as such, an enumeration's error listing its values, `help
CMD`, and `job result` refusing to overwrite a file without --force.
Usage: keys_cli_test.py VERITRAIN_BINARY"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        pw, short = os.path.join(tmp, "pw"), os.path.join(tmp, "short")
        with open(pw, "w") as f:
            f.write("correct horse battery staple\n")
        with open(short, "w") as f:
            f.write("seven77\n")

        def run(*args, home="w", check=True):
            p = subprocess.run([cli, "--home", os.path.join(tmp, home), *args], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL)
            if check and p.returncode != 0:
                raise AssertionError(f"{args} failed: {p.stderr}")
            return p

        assert run("version").stdout.startswith("veritrain "), "version"
        assert "VERITRAIN_PASSWORD_FILE" in run("--help").stdout, "--help names VERITRAIN_PASSWORD_FILE"
        bad = run("--password-file", short, "keys", "new", "weak", check=False)
        assert bad.returncode != 0 and "at least 8 characters" in bad.stderr, bad.stderr
        # Global flags anywhere on the line.
        made = json.loads(run("keys", "new", "alice", "--password-file", pw, "--json").stdout)
        listed = json.loads(run("keys", "list", "--json").stdout)
        assert listed == [{"name": "alice", "address": made["address"]}], listed
        # Export: the encrypted file, mode 0600, working as is in another wallet.
        out = os.path.join(tmp, "alice.json")
        run("keys", "export", "alice", "--out", out)
        assert oct(os.stat(out).st_mode & 0o777) == "0o600"
        text = open(out).read()
        assert "ciphertext" in text and made["mnemonic"].split()[0] not in text.split('"')
        assert run("keys", "export", "alice", "--out", out, check=False).returncode != 0  # no overwrite
        os.makedirs(os.path.join(tmp, "w2", "keys"))
        os.rename(out, os.path.join(tmp, "w2", "keys", "alice.json"))
        other = json.loads(run("keys", "show", "alice", "--json", home="w2").stdout)
        assert other["address"] == made["address"], other
        # Delete: refused without a terminal and without --yes; then gone.
        refused = run("keys", "delete", "alice", check=False)
        assert refused.returncode != 0 and "--yes" in refused.stderr, refused.stderr
        assert json.loads(run("keys", "list", "--json").stdout) != []
        run("keys", "delete", "alice", "--yes")
        assert json.loads(run("keys", "list", "--json").stdout) == []
        gone = run("keys", "delete", "alice", "--yes", check=False)
        assert gone.returncode != 0, "deleting a missing key succeeded"
        neg = run("job", "show", "-1", check=False)
        assert neg.returncode != 0 and "-1 is negative" in neg.stderr, neg.stderr
        enum = run("job", "list", "--status", "bogus", check=False)
        assert enum.returncode != 0 and "open,accepted,committed" in enum.stderr, enum.stderr
        enum = run("dispute", "list", "--status", "bogus", check=False)
        assert enum.returncode != 0 and "{open,resolved}" in enum.stderr, enum.stderr
        assert "Submit a job spec" in run("help", "job", "submit").stdout
        assert run("help", "nope", check=False).returncode != 0
        existing = os.path.join(tmp, "model.safetensors")
        open(existing, "w").write("keep me")
        kept = run("job", "result", "1", "--out", existing, check=False)
        assert kept.returncode != 0 and "--force" in kept.stderr, kept.stderr
        assert open(existing).read() == "keep me"
    print("keys_cli_test: PASS")


if __name__ == "__main__":
    main()
