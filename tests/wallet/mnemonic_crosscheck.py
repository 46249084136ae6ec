"""Recovery phrases checked against outside implementations: Debian's
python3-mnemonic (the BIP-39 reference implementation) and an independent
BIP-32 / bech32m derivation here, on secp256k1 from python3-cryptography.

1. `veritrain keys new` shows 24 words that python-mnemonic accepts, and
   `keys recover` of those words gives back the same address.
2. For phrases python-mnemonic generates (12 and 24 words), `keys recover`
   gives the address this script derives: BIP-39 seed (empty passphrase),
   BIP-32 along m/86'/8684'/0'/0/0, the BIP-340 x-only public key, bech32m
   with prefix "vt".
3. A phrase with a changed word is refused, and no key is written.
Usage: mnemonic_crosscheck.py VERITRAIN_BINARY"""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric import ec
from mnemonic import Mnemonic

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
H = 0x80000000
PATH = [H | 86, H | 8684, H | 0, 0, 0]


def point(secret):
    nums = ec.derive_private_key(secret, ec.SECP256K1()).public_key().public_numbers()
    return nums.x, nums.y


def bip32(seed, path):
    i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    k, c = int.from_bytes(i[:32], "big"), i[32:]
    for index in path:
        if index & H:
            data = b"\0" + k.to_bytes(32, "big")
        else:
            x, y = point(k)
            data = bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
        i = hmac.new(c, data + index.to_bytes(4, "big"), hashlib.sha512).digest()
        k, c = (int.from_bytes(i[:32], "big") + k) % N, i[32:]
    return k


CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32m(hrp, data8):
    acc, bits, data = 0, 0, []
    for b in data8:
        acc, bits = (acc << 8) | b, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk
    expanded = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    mod = polymod(expanded + data + [0] * 6) ^ 0x2BC830A3
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def expected_address(words):
    seed = Mnemonic.to_seed(words, "")
    x, _ = point(bip32(seed, PATH))
    return bech32m("vt", x.to_bytes(32, "big"))


def main():
    cli = sys.argv[1]
    m = Mnemonic("english")
    with tempfile.TemporaryDirectory() as tmp:
        pw = os.path.join(tmp, "pw")
        with open(pw, "w") as f:
            f.write("correct horse battery staple\n")

        def run(*args, stdin=None, check=True):
            p = subprocess.run([cli, "--home", os.path.join(tmp, "w"), "--password-file", pw, "--json", *args],
                               input=stdin, capture_output=True, text=True, timeout=60)
            if check and p.returncode != 0:
                raise AssertionError(f"{args} failed: {p.stderr}")
            return p

        made = json.loads(run("keys", "new", "made").stdout)
        words = made["mnemonic"]
        assert len(words.split()) == 24, words
        assert m.check(words), "python-mnemonic refuses the phrase keys new showed"
        again = json.loads(run("keys", "recover", "made-again", stdin=words + "\n").stdout)
        assert again["address"] == made["address"], (again, made)
        assert made["address"] == expected_address(words), "keys new: another derivation"

        for n, strength in enumerate((128, 256, 256, 128)):
            words = m.generate(strength)
            got = json.loads(run("keys", "recover", f"k{n}", stdin=words + "\n").stdout)["address"]
            assert got == expected_address(words), (words, got)

        words = m.generate(256).split()
        words[3] = "zoo" if words[3] != "zoo" else "abandon"
        bad = run("keys", "recover", "bad", stdin=" ".join(words) + "\n", check=False)
        if not m.check(" ".join(words)):
            assert bad.returncode != 0 and "checksum" in bad.stderr, bad.stderr
            listed = json.loads(run("keys", "list").stdout)
            assert "bad" not in [k["name"] for k in listed], listed
    print("mnemonic_crosscheck: PASS")


if __name__ == "__main__":
    main()
