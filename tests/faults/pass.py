# A shell bolt for the fault-injection runs: every tuple out unchanged.
# argv[1] is the run's tag, so that the harness can find this process.
import storm


class Pass(storm.BasicBolt):
    def process(self, tup):
        storm.emit(tup.values, need_task_ids=False)


Pass().run()
