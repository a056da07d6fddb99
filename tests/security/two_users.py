#!/usr/bin/env python3
"""Another local user must get nothing (issue 9, items 14 and 16), with a
real second user: a throwaway account (smcsqPID) made with useradd, whose
steps run through setpriv. Needs root (CI runs as root); otherwise it says
why and is skipped (status 77). The account is removed afterwards.

  segment squatting  the squatter pre-creates /dev/shm/smc-UID-NAME, mode
                     0666, with a header smc would accept: smc refuses it as a
                     consumer and as a producer (naming the path, owner and
                     mode) and writes nothing into it; the squatter learns
                     nothing, forges nothing, crashes nothing
  registry squatting the squatter pre-creates the runtime folder
                     ($XDG_RUNTIME_DIR/smc, in a world-writable sticky folder
                     as /tmp is) as its own folder, mode 0777, or as a link:
                     smc run warns that the job runs unregistered (and runs);
                     smc ps and smc abort refuse (74)
"""
import hashlib
import os
import pwd
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jobs"))
if os.geteuid() != 0:
    print("skipped: the two-user test needs root to create a throwaway user (it runs as uid %d)" % os.geteuid())
    sys.exit(77)
from jobutil import *  # noqa: E402

# A refused segment is an I/O error (smc-topo(5)).
REFUSED = 74
USER = "smcsq%d" % os.getpid()
made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                      capture_output=True, text=True)
check(made.returncode == 0, "useradd %s" % USER, made.stderr)
SQ = pwd.getpwnam(USER)


def _remove_user():
    subprocess.run(["userdel", USER], capture_output=True)


atexit.register(_remove_user)


def as_squatter(code):
    """Runs python code as the squatter; its stdout."""
    p = subprocess.run(["setpriv", "--reuid=%d" % SQ.pw_uid, "--regid=%d" % SQ.pw_gid, "--clear-groups",
                        sys.executable, "-c", code], capture_output=True, text=True, timeout=20, cwd="/")
    check(p.returncode == 0, "the squatter's step runs", code, p.stderr)
    return p.stdout


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- segment squatting ---------------------------------------------------------
ch = TAG + "-sq"
path = "/dev/shm/smc-%d-%s" % (UID, ch)
size = 80 + (8 << 20)
# A header smc would take as its own: a finished stream with one forged tuple
# waiting for a consumer; a consumer that joined it would print 666.
body = struct.pack("<II", 1, 0) + struct.pack("<BxxxIq", 1, 0, 666)
ring = struct.pack("<I", len(body)) + body
header = struct.pack("<8sQQQiiQQIIIIQ", b"SMCCHAN2", 8 << 20, len(ring), 0, 1, 0, 0, 0, 1, 0, 2, 0, 0)
as_squatter("""
import os
fd = os.open(%r, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o666)
os.fchmod(fd, 0o666)
os.write(fd, %r)
os.ftruncate(fd, %d)
""" % (path, header + ring, size))
st = os.stat(path)
eq((st.st_uid, st.st_mode & 0o777), (SQ.pw_uid, 0o666), "the squatter's segment is planted")
before = digest(path)
write("consumer.topo", """topology consumer {
    spout f = channel("%s") -> (n)
    sink  o = stdout() <- f shuffle
}
""" % ch)
write("producer.topo", """topology producer {
    spout s = generate(count: 10)
    sink  o = channel("%s") <- s shuffle
}
""" % ch)
refusal = ("channel '%s' (%s) is not this user's private channel (owner uid %d, mode 0666; smc makes them owned by "
           "uid %d, mode 0600): refusing to use it\n" % (ch, path, SQ.pw_uid, UID))
for role, topo, loc in (("consumer", "consumer.topo", "spout 'f' (consumer.topo:2:11)"),
                        ("producer", "producer.topo", "sink 'o' (producer.topo:3:11)")):
    status, out, err = run("run", topo, timeout=20)
    eq((status, out), (REFUSED, ""), "squatted segment: the %s is refused, reads nothing" % role)
    check(("smc: error: %s failed: " % loc) + refusal in err, "squatted segment: the %s says why" % role, err,
          refusal)
    eq(digest(path), before, "squatted segment: the %s wrote nothing into it" % role)
# And nothing else of ours appeared beside it (a temporary segment, say).
eq(segments(), ["smc-%d-%s" % (UID, ch)], "squatted segment: nothing else left in /dev/shm")
os.unlink(path)

# ---- registry squatting ----------------------------------------------------------
write("short.topo", """topology short {
    spout s = generate(count: 3)
    sink  o = stdout() <- s shuffle
}
""")
for how in ("folder", "link"):
    shared = tempfile.mkdtemp(prefix="smc-sq-runtime-")
    os.chmod(shared, 0o1777)  # world-writable and sticky, as /tmp is
    reg = os.path.join(shared, "smc")
    if how == "folder":
        as_squatter("import os; os.mkdir(%r); os.chmod(%r, 0o777)" % (reg, reg))
        what = "owned by uid %d with mode 0777" % SQ.pw_uid
    else:
        as_squatter("import os; os.symlink('/tmp', %r)" % reg)
        what = "a symbolic link"
    env = dict(ENV, XDG_RUNTIME_DIR=shared)
    problem = ("'%s' is not a private folder of this user: it is %s (smc needs one owned by uid %d with mode 0700); "
               "remove it and try again" % (reg, what, UID))
    status, out, err = run("run", "short.topo", env=env)
    eq((status, out), (0, "0\n1\n2\n"), "squatted registry (%s): the run runs" % how)
    eq(err, "smc: warning: %s; this job runs unregistered (smc ps and smc abort will not see it)\n" % problem,
       "squatted registry (%s): the run warns" % how)
    if how == "folder":
        eq(os.listdir(reg), [], "squatted registry (folder): no record written into the squatter's folder")
    for args in (("ps",), ("abort", "short")):
        status, out, err = run(*args, env=env)
        eq((status, out, err), (74, "", "smc: error: %s\n" % problem), "squatted registry (%s): smc %s refuses" %
           (how, args[0]))
    if how == "link":
        os.unlink(reg)
    shutil.rmtree(shared)
clean("two users")
done()
