# passthrough.py: a BasicBolt that emits every tuple's values unchanged.
# The emit is anchored to the input tuple and the tuple is acked after
# process() returns, both done by storm.BasicBolt.
import storm


class PassthroughBolt(storm.BasicBolt):
    def process(self, tup):
        # The task ids are not needed: need_task_ids=False saves the parent's
        # reply, one round trip per tuple.
        storm.emit(tup.values, need_task_ids=False)


PassthroughBolt().run()
