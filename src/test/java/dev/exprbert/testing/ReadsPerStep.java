package dev.exprbert.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.HostReads;
import dev.exprbert.train.RunView;
import dev.exprbert.train.TrainerCallback;
import dev.exprbert.train.TrainerControl;
import java.util.ArrayList;
import java.util.List;

/**
 * A callback that counts the device-to-host reads ({@link HostReads}) at the start of training and at every step's
 * end, to hold a run to "a step after a step that did not log reads nothing".
 */
public final class ReadsPerStep implements TrainerCallback {
  private final List<Long> readsAtStepEnd = new ArrayList<>();

  @Override
  public void onTrainBegin(RunView run, TrainerControl control) {
    readsAtStepEnd.add(HostReads.count());
  }

  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    readsAtStepEnd.add(HostReads.count());
  }

  /** The count when training began. */
  public long atStart() {
    return readsAtStepEnd.get(0);
  }

  /** Steps 1..{@code steps}: reads only between a logging step's end (every {@code loggingSteps}) and the next one's. */
  public void assertReadsOnlyAfterLogs(int steps, int loggingSteps, String what) {
    for (int step = 1; step <= steps; step++) {
      long reads = readsAtStepEnd.get(step) - readsAtStepEnd.get(step - 1);
      boolean previousLogged = step > 1 && (step - 1) % loggingSteps == 0;
      if (previousLogged) {
        assertTrue(reads > 0, what + ": the log after step " + (step - 1) + " reads the loss: " + readsAtStepEnd);
      } else {
        assertEquals(0, reads, what + ": host reads between the ends of steps " + (step - 1) + " and " + step + ": "
            + readsAtStepEnd);
      }
    }
  }
}
