package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ThreadsOptionTest {
  @Test
  void everyModelCommandRefusesAPoolBelowOneThread() {
    for (String command : new String[] {"train", "predict", "evaluate", "quickstart"}) {
      CliRun r = CliRun.of(command, "--threads", "0");
      assertEquals(2, r.code(), command + ": " + r.err());
      assertTrue(r.err().contains("--threads must be >= 1, got 0"), command + ": " + r.err());
    }
  }

  @Test
  void threadsResizeTheLoadedPoolAndThePlanFollows() {
    int before = Natives.threads().intraOp();
    ThreadsOption option = new ThreadsOption();
    option.setThreads(1);
    try {
      option.apply();
      assertEquals(1, torch.get_num_threads());
      assertEquals(1, Natives.threads().intraOp());
      assertEquals("--threads", Natives.threads().intraOpFrom());
    } finally {
      Natives.requestThreads(before);
    }
  }
}
