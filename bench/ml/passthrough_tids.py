# passthrough_tids.py: examples/multilang/passthrough.py with the emit's
# need_task_ids left at its default (True, as in Apache Storm's storm.py):
# every emit waits for the parent's reply (the list of task ids), one round
# trip between smc and this process per tuple.
import storm


class PassthroughBolt(storm.BasicBolt):
    def process(self, tup):
        storm.emit(tup.values)


PassthroughBolt().run()
