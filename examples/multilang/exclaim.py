# exclaim.py: a plain storm.Bolt (not a BasicBolt). It anchors its emits and
# acks or fails each input tuple itself.
#
# Each input tuple's first value is a word; the bolt emits (word + "!") on the
# default stream and, for words longer than N letters (N is the first
# argument, 8 by default), also (word, length) on the stream "long".
# An empty word is failed instead of processed.
import sys

import storm


class ExclaimBolt(storm.Bolt):
    def initialize(self, conf, context):
        self.long_word = int(sys.argv[1]) if len(sys.argv) > 1 else 8
        self.me = "%s#%s" % (context.get("componentid"), context.get("taskid"))
        storm.logDebug("%s ready" % self.me)

    def process(self, tup):
        word = tup.values[0]
        if not isinstance(word, str) or word == "":
            storm.logWarn("%s: empty word from %s, failing it" % (self.me, tup.component))
            storm.fail(tup)
            return
        storm.emit([word + "!"], anchors=[tup])
        if len(word) > self.long_word:
            storm.emit([word, len(word)], stream="long", anchors=[tup])
        storm.ack(tup)


ExclaimBolt().run()
