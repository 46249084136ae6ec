"""Disputes end to end on a real devnet: veritraind on loopback, the real
`veritrain provider run` / `verifier run` workers as separate processes, a
cheating provider (cheating_trainer), a false challenger and a lazy verifier
(attestations of made-up traces through `verifier attest --trace`), a withheld
checkpoint, malformed dispute input, a node killed and restarted in the middle
of a dispute, and the client fetching the final model.

usage: dispute_e2e_test.py BIN_DIR SOURCE_DIR CHEATING_TRAINER"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devnet import Devnet  # noqa: E402

MIN_FEE = 1000
PAYMENT = 1000000
BOND = 500000


class Net:
    """A devnet with funded keys, a registered provider and verifiers, and
    worker processes that are stopped when the test ends."""

    def __init__(self, test, verifiers, params=None):
        self.net = Devnet(BIN_DIR, block_interval_ms=300)
        self.workers = []
        test.addCleanup(self.close)
        # Windows with room for a loaded 2-core CI machine running sanitizer
        # builds (300 ms blocks: 15 blocks is 4.5 s per step of the protocol).
        # One verifier per segment (pol_redundancy 1), so that each test says
        # which verifier plays which dispute; committees run in
        # devnet_e2e_test.py and tests/ledger.
        windows = {"pol_commit_window": "15", "pol_reveal_window": "15", "pol_dispute_window": "15",
                   "pol_redundancy": "1"}
        windows.update(params or {})
        if windows:  # genesis parameters for this test
            path = os.path.join(self.net.home, "genesis.json")
            with open(path) as f:
                genesis = json.load(f)
            genesis["params"].update(windows)
            with open(path, "w") as f:
                json.dump(genesis, f)
        self.net.start()
        net = self.net
        net.cli("keys", "import", "faucet", "--secret-file", os.path.join(net.home, "faucet.secret"))
        names = ["client", "prov"] + verifiers
        for name in names:
            net.cli("keys", "new", name)
        self.addr = {k["name"]: k["address"] for k in net.cli("keys", "list")}
        for name in names:
            amount = 2000000000 if name == "prov" else 200000000
            net.cli("--no-wait", "send", "--from", "faucet", "--to", name, "--amount", str(amount))
        last = names[-1]
        net.wait_for(lambda: self.balance(last) > 0, 30, "funding")
        self.params = net.rpc("state_getParams")
        net.cli("provider", "register", "--from", "prov", "--stake", "1000000000", "--endpoint", "http://p")
        for v in verifiers:
            net.cli("verifier", "register", "--from", v, "--stake", self.params["min_verifier_stake"])
        self.spec = os.path.join(SOURCE_DIR, "kernels", "specs", "tiny.json")
        self.runs = os.path.join(net.tmp, "runs")

    def pause_workers(self):
        """Freeze every worker (SIGSTOP): the chain moves on, the workers do not."""
        for p, _ in self.workers:
            if p.poll() is None:
                p.send_signal(signal.SIGSTOP)

    def resume_workers(self):
        for p, _ in self.workers:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)

    def stop_workers(self):
        self.resume_workers()  # a frozen worker would not act on SIGTERM
        for p, _ in self.workers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def close(self):
        self.stop_workers()
        for _, log in self.workers:
            log.close()
        self.net.close()

    def balance(self, name):
        return int(self.net.rpc("state_getAccount", {"address": self.addr[name]})["balance"])

    def submit_and_accept(self):
        r = self.net.cli("job", "submit", self.spec, "--from", "client", "--pay", str(PAYMENT),
                         "--bond", str(BOND), "--deadline", "500")
        job = int(r["receipt"]["events"][0]["attributes"]["job_id"])
        self.net.cli("job", "accept", str(job), "--from", "prov")
        return job

    def worker(self, *args):
        net = self.net
        log = open(os.path.join(net.tmp, f"worker-{len(self.workers)}.log"), "w")
        cmd = [net.wallet_bin, "--node", net.url, "--home", net.wallet, "--password-file",
               net.password_file] + list(args) + ["--interval-ms", "300"]
        self.workers.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))

    def worker_logs(self):
        out = ""
        for i in range(len(self.workers)):
            with open(os.path.join(self.net.tmp, f"worker-{i}.log")) as f:
                out += f"--- worker {i}\n" + f.read()[-3000:]
        return out

    def job(self, job):
        return self.net.rpc("state_getJob", {"id": job})

    def wait_status(self, job, status, timeout=180):
        try:
            self.net.wait_for(lambda: self.job(job)["status"] == status, timeout, f"job {job} {status}")
        except AssertionError as e:
            raise AssertionError(f"{e}\njob: {json.dumps(self.job(job)['pol'], indent=1)[-4000:]}\n"
                                 f"{self.worker_logs()}") from None

    def wait_phase(self, job, phase, timeout=60):
        self.net.wait_for(lambda: self.job(job)["pol"] is not None and self.job(job)["pol"]["phase"] == phase,
                          timeout, f"job {job} phase {phase}")


class Disputes(unittest.TestCase):
    def test_1_cheater_caught_at_the_faked_step_across_a_node_restart(self):
        n = Net(self, ["v1", "v2"])
        net = n.net
        job = n.submit_and_accept()
        # The provider cheats at step 7 (segment 1 covers steps 5..10) and keeps its own per-step hashes.
        run = os.path.join(n.runs, f"job-{job}")
        subprocess.run([CHEATER, n.spec, run, "7"], check=True, capture_output=True)
        client_before = n.balance("client")
        n.worker("provider", "run", "--from", "prov", "--runs", n.runs)
        n.worker("verifier", "run", "--from", "v1")
        n.worker("verifier", "run", "--from", "v2")
        # Once the bisection has started, the node is killed and restarted: the
        # dispute resumes from its state on disk.
        net.wait_for(lambda: any(d["status"] == "open" and d.get("round", 0) >= 1
                                 for d in net.rpc("state_listDisputes", {"job_id": job})["disputes"]),
                     120, "a bisection round")
        at_kill = net.rpc("state_listDisputes", {"job_id": job})["disputes"][0]
        net.stop(signal.SIGKILL)
        net.start()
        self.assertEqual(net.rpc("state_getDispute", {"id": at_kill["id"]})["round"] >= at_kill["round"], True)
        n.wait_status(job, "slashed")

        disputes = net.rpc("state_listDisputes", {"job_id": job})["disputes"]
        self.assertEqual(len(disputes), 1, disputes)  # later segments replay the cheater's own chain
        d = disputes[0]
        self.assertEqual((d["kind"], d["segment"], d["status"]), ("end", 1, "resolved"))
        self.assertEqual((d["loser"], d["outcome"]), ("provider", "fraud_proven"), d)
        self.assertEqual((d["lo"], d["hi"]), (6, 7))  # the referee ran exactly the faked step
        self.assertEqual(d["referee_hash"], d["challenger_hi"])
        slashes = net.rpc("state_listSlashes", {"job_id": job})
        self.assertEqual(len(slashes["slashes"]), 1)
        s = slashes["slashes"][0]
        self.assertEqual((s["role"], s["offender"], s["amount"], s["reason"]),
                         ("provider", n.addr["prov"], str(BOND), "fraud_proven"))
        reward = BOND * int(n.params["fraud_reward_bps"]) // 10000
        self.assertEqual(s["reward"], str(reward))
        self.assertEqual(s["beneficiary"], d["challenger"])
        fees = 3 * int(n.params["verifier_fee"])  # the three agreeing segments, paid from the bond
        self.assertEqual(s["paid_fees"], str(fees))
        self.assertEqual(s["burned"], str(BOND - reward - fees))
        self.assertEqual(slashes["burned_total"], str(BOND - reward - fees))
        self.assertEqual(n.balance("client"), client_before + PAYMENT)  # refunded in full
        prov = net.rpc("state_getProvider", {"address": n.addr["prov"]})
        self.assertEqual((prov["stake"], prov["locked"], prov["jobs_slashed"]), (str(1000000000 - BOND), "0", 1))
        j = n.job(job)
        self.assertEqual(j["pol"]["slashes"][0]["reason"], "fraud_proven")
        self.assertIn("committed block", net.log())
        # job watch replays what happened to the job and stops: it is finished.
        watch = net.cli("--json", "job", "watch", str(job), "--interval-ms", "100", "--timeout", "30",
                        json_out=False)
        lines = [json.loads(x) for x in watch.stdout.splitlines()]
        txs = [x["tx"]["type"] for x in lines if x["event"] == "tx"]
        self.assertEqual(txs[:3], ["job_submit", "job_accept", "job_commit"], txs)
        self.assertIn("attest_reveal", txs)
        self.assertIn("dispute_move", txs)
        heights = [x["height"] for x in lines if x["event"] == "tx"]
        self.assertEqual(heights, sorted(heights))
        self.assertEqual(len(txs), len({x["tx"]["hash"] for x in lines if x["event"] == "tx"}))  # each once
        self.assertIn({"event": "dispute", "dispute": d["id"], "state": "resolved: fraud_proven, provider lost",
                       "height": lines[-1]["height"]}, lines)
        self.assertEqual(lines[-1]["event"], "finished")
        self.assertEqual(lines[-1]["status"], "slashed")
        # The dispute and slash results validate against their declared schemas.
        import jsonschema
        methods = {m["name"]: m for m in net.rpc("rpc_discover")["methods"]}
        # So does the job, whose proof-of-learning record holds its disputes and slashes.
        for name, call in (("state_getDispute", {"id": d["id"]}), ("state_listDisputes", {"job_id": job}),
                           ("state_listSlashes", {"job_id": job}), ("state_getJob", {"id": job})):
            jsonschema.validate(net.rpc(name, call), methods[name]["result"]["schema"])
        # The whole chain, referee step included, replays from the genesis as a
        # syncing node checks it: header, proposer, VRF, execution, roots and
        # every commit's signatures (veritraind verify-chain, node stopped).
        n.stop_workers()
        net.stop()
        out = subprocess.run([net.daemon, "verify-chain", "--home", net.home],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("verified", out.stdout)

    def test_2_false_challenger_and_lazy_verifier_lose_stake(self):
        n = Net(self, ["v1", "v2"])
        net = n.net
        n.worker("provider", "run", "--from", "prov", "--runs", n.runs)
        n.worker("verifier", "run", "--from", "v1")
        job = n.submit_and_accept()
        n.wait_phase(job, "commit_window")
        segs = [s for s in n.job(job)["pol"]["segments"] if s["verifier"] == n.addr["v2"]]
        self.assertEqual(len(segs), 2)  # two verifiers, four segments
        # v2 commits to made-up traces: a false challenge (another end hash) and a
        # lazy attestation (the public end hash, nothing replayed behind it: its
        # leaves, which need each step's loss and unpublished state digest, are guesses).
        for s, lazy in ((segs[0], False), (segs[1], True)):
            n_steps = s["end_step"] - s["start_step"]
            steps = [os.urandom(32).hex() for _ in range(n_steps)]
            leaves = [os.urandom(32).hex() for _ in range(n_steps)]
            if lazy:
                steps[-1] = s["end_hash"]
            path = os.path.join(net.tmp, f"trace-{s['segment']}.json")
            with open(path, "w") as f:
                json.dump({"per_step": steps, "leaves": leaves}, f)
            net.cli("verifier", "attest", str(job), "--from", "v2", "--segment", str(s["segment"]),
                    "--trace", path, json_out=False)
        n.worker("verifier", "run", "--from", "v2")  # reveals and plays its disputes from its saved traces
        stake_before = int(net.rpc("state_getVerifier", {"address": n.addr["v2"]})["stake"])
        n.wait_status(job, "settled")

        disputes = net.rpc("state_listDisputes", {"job_id": job})["disputes"]
        self.assertEqual(sorted(d["kind"] for d in disputes), ["end", "probe"], disputes)
        for d in disputes:
            self.assertEqual((d["challenger"], d["loser"]), (n.addr["v2"], "challenger"))
            self.assertIn(d["outcome"], ("false_challenge", "challenger_timeout"))
        slash = int(n.params["false_challenge_slash"])
        v2 = net.rpc("state_getVerifier", {"address": n.addr["v2"]})
        self.assertEqual(int(v2["stake"]), stake_before - 2 * slash)
        self.assertEqual(v2["disputes_lost"], 2)
        slashes = net.rpc("state_listSlashes", {"offender": n.addr["v2"]})["slashes"]
        self.assertEqual([s["role"] for s in slashes], ["verifier", "verifier"])
        self.assertTrue(all(s["beneficiary"] == n.addr["prov"] for s in slashes))
        j = n.job(job)
        results = {s["segment"]: s["result"] for s in j["pol"]["segments"]}
        self.assertEqual(sorted(results.values()), ["agreed", "agreed", "disputed", "disputed"])
        # The client gets the final model and it is the committed one.
        out = os.path.join(net.tmp, "model.safetensors")
        r = net.cli("job", "result", str(job), "--out", out)
        self.assertEqual(r["model_state_hash"], j["pol"]["commitment"]["final_model_hash"])
        self.assertGreater(os.path.getsize(out), 100000)

    def test_3_withheld_checkpoint_and_malformed_dispute_input(self):
        # A longer commit window: the request below must land inside it even on a loaded CI machine.
        n = Net(self, ["v1"], params={"pol_commit_window": "25"})
        net = n.net
        job = n.submit_and_accept()
        run = os.path.join(n.runs, f"job-{job}")
        net.cli("train", "--spec", n.spec, "--out", run, "--quiet", json_out=False)

        # Malformed or misplaced dispute input is refused with a reason before it costs anything.
        nonce = net.rpc("state_getAccount", {"address": n.addr["v1"]})["nonce"]
        bad = net.cli("dispute", "move", "99", "--from", "v1", "--agree", check=False, json_out=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("dispute 99 does not exist", bad.stdout + bad.stderr)
        bad = net.cli("dispute", "move", "99", "--from", "v1", "--mid", "zz", check=False, json_out=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--mid", bad.stderr)
        big = os.path.join(net.tmp, "big.safetensors")
        with open(big, "wb") as f:
            f.write(os.urandom(int(n.params["max_tx_bytes"]) + 1))
        bad = net.cli("dispute", "post", "1", "--from", "v1", "--checkpoint", big, check=False, json_out=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("the limit is " + str(n.params["max_tx_bytes"]), bad.stderr)
        self.assertEqual(net.rpc("state_getAccount", {"address": n.addr["v1"]})["nonce"], nonce)  # nothing sent
        self.assertEqual(net.rpc("state_listDisputes")["disputes"], [])

        net.cli("job", "commit", str(job), "--from", "prov", "--run", run, json_out=False)
        n.wait_phase(job, "commit_window")

        # v1 cannot get segment 2's checkpoint and asks for it on chain; the provider stays silent.
        r = net.cli("dispute", "request", str(job), "2", "--from", "v1")
        opened = r["receipt"]["events"][0]["attributes"]
        self.assertEqual((opened["kind"], opened["step"]), ("availability", "10"))
        did = int(opened["dispute_id"])
        again = net.cli("dispute", "request", str(job), "2", "--from", "v1", check=False, json_out=False)
        self.assertIn("already requested", again.stdout + again.stderr)
        # A checkpoint of another step does not answer it.
        wrong = net.cli("dispute", "post", str(did), "--from", "v1", "--checkpoint",
                        os.path.join(run, "ckpt-00000005.safetensors"), check=False, json_out=False)
        self.assertIn("checkpoint rejected", wrong.stdout + wrong.stderr)
        self.assertEqual(net.rpc("state_getDispute", {"id": did})["status"], "open")
        client_before = n.balance("client")
        v1_before = n.balance("v1")
        n.wait_status(job, "slashed", timeout=60)
        d = net.rpc("state_getDispute", {"id": did})
        self.assertEqual((d["loser"], d["outcome"]), ("provider", "checkpoint_withheld"))
        reward = BOND * int(n.params["fraud_reward_bps"]) // 10000
        self.assertEqual(n.balance("client"), client_before + PAYMENT)
        self.assertEqual(n.balance("v1"), v1_before + reward)
        self.assertEqual(net.rpc("state_listSlashes")["slashes"][0]["reason"], "checkpoint_withheld")


    def test_4_unavailable_checkpoint_is_requested_published_and_verified(self):
        n = Net(self, ["v1"], params={"pol_commit_window": "25"})
        net = n.net
        job = n.submit_and_accept()
        run = os.path.join(n.runs, f"job-{job}")
        net.cli("train", "--spec", n.spec, "--out", run, "--quiet", json_out=False)
        # The provider's upload of the checkpoint at step 10 is damaged (its
        # tensors do not hash to the committed state); its own copy is fine.
        ck = os.path.join(run, "ckpt-00000010.safetensors")
        with open(ck, "rb") as f:
            good = f.read()
        with open(ck, "wb") as f:
            f.write(good[:-1] + bytes([good[-1] ^ 1]))
        net.cli("job", "commit", str(job), "--from", "prov", "--run", run, json_out=False)
        with open(ck, "wb") as f:
            f.write(good)
        # The verifier cannot use the manifest's copy, asks for it on chain, the
        # provider's worker publishes it, the verifier attests from it.
        n.worker("provider", "run", "--from", "prov", "--runs", n.runs)
        n.worker("verifier", "run", "--from", "v1")
        n.wait_status(job, "settled")
        disputes = net.rpc("state_listDisputes", {"job_id": job})["disputes"]
        self.assertEqual(len(disputes), 1, disputes)
        d = disputes[0]
        self.assertEqual((d["kind"], d["segment"], d["step"]), ("availability", 2, 10))
        self.assertEqual((d["loser"], d["outcome"]), ("nobody", "checkpoint_published"))
        self.assertEqual(d["checkpoint_blob"], hashlib.sha256(good).hexdigest())
        j = n.job(job)
        self.assertEqual([s["result"] for s in j["pol"]["segments"]], ["agreed"] * 4)
        self.assertEqual(net.rpc("state_listSlashes")["slashes"], [])
        import jsonschema  # the availability shape of a dispute validates too
        methods = {m["name"]: m for m in net.rpc("rpc_discover")["methods"]}
        jsonschema.validate(net.rpc("state_getDispute", {"id": d["id"]}),
                            methods["state_getDispute"]["result"]["schema"])

if __name__ == "__main__":
    BIN_DIR, SOURCE_DIR, CHEATER = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[4:])
