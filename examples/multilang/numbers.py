# numbers.py: a bounded spout. It emits (n) for n = 1..N, each with the
# message id n, then tells smc it is done (storm.done(), an smc extension
# that Apache Storm ignores). N is the first argument (default 10).
#
#   spout numbers = shell("python3 numbers.py 1000") -> (n)
import sys
import time

import storm


class NumbersSpout(storm.Spout):
    def initialize(self, conf, context):
        self.last = int(sys.argv[1]) if len(sys.argv) > 1 else 10
        self.n = 0
        self.pending = set()

    def nextTuple(self):
        if self.n >= self.last:
            # Under Storm the spout keeps being asked; do not spin.
            time.sleep(0.01)
            return
        self.n += 1
        self.pending.add(self.n)
        storm.emit([self.n], id=self.n)
        if self.n == self.last:
            self.done()

    def ack(self, id):
        self.pending.discard(id)

    def fail(self, id):
        # Replay a failed number.
        storm.logWarn("number %s failed, emitting it again" % id)
        storm.emit([id], id=id)


NumbersSpout().run()
