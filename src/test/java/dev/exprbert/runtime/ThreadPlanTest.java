package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ThreadPlanTest {
  private static final OptionalInt NO_QUOTA = OptionalInt.empty();

  @Test
  void byDefaultLibTorchAndOpenBlasBothGetTheCoresAndWaitBriefly() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of(), null, 8, NO_QUOTA);
    assertEquals(8, plan.cores());
    assertEquals(8, plan.intraOp());
    assertEquals(8, plan.blas());
    assertEquals(ThreadPlan.FOLLOWS_INTRA_OP, plan.blasFrom());
    assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "OMP_NUM_THREADS", "8", "OPENBLAS_NUM_THREADS", "8",
        "OPENBLAS_THREAD_TIMEOUT", "4"), plan.environmentDefaults());
    // --threads sizes both
    assertEquals(3, ThreadPlan.resolve(Map.of(), "3", 8, NO_QUOTA).blas());
  }

  @Test
  void aCgroupQuotaBelowTheProcessorsCapsThePool() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of(), null, 64, OptionalInt.of(2));
    assertEquals(2, plan.cores());
    assertEquals(2, plan.intraOp());
    assertEquals("cgroup CPU quota", plan.coresFrom());
    // a quota above the affinity mask changes nothing
    assertEquals(4, ThreadPlan.resolve(Map.of(), null, 4, OptionalInt.of(16)).intraOp());
  }

  @Test
  void threadsFlagWinsOverEveryVariable() {
    Map<String, String> env = Map.of("EXPRBERT_NUM_THREADS", "3", "OMP_NUM_THREADS", "5");
    ThreadPlan plan = ThreadPlan.resolve(env, "2", 8, NO_QUOTA);
    assertEquals(2, plan.intraOp());
    assertEquals("--threads", plan.intraOpFrom());
    assertEquals("2", plan.environmentDefaults().get("OMP_NUM_THREADS"));
  }

  @Test
  void exprbertVariableWinsOverOpenMps() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of("EXPRBERT_NUM_THREADS", " 3 ", "OMP_NUM_THREADS", "5"), null, 8, NO_QUOTA);
    assertEquals(3, plan.intraOp());
    assertEquals("EXPRBERT_NUM_THREADS", plan.intraOpFrom());
  }

  @Test
  void theUsersOpenMpAndOpenBlasSettingsAreRespected() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of("OMP_NUM_THREADS", "4,2", "OPENBLAS_NUM_THREADS", "2"), null, 8, NO_QUOTA);
    assertEquals(4, plan.intraOp()); // OpenMP's outer level of a nested list
    assertEquals("OMP_NUM_THREADS", plan.intraOpFrom());
    assertEquals(2, plan.blas());
    assertEquals("OPENBLAS_NUM_THREADS", plan.blasFrom());
  }

  @Test
  void anUnreadableOpenMpValueFallsBackToTheCoresAndAnUnreadableOpenBlasOneIsLeftToOpenBlas() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of("OMP_NUM_THREADS", "lots", "OPENBLAS_NUM_THREADS", "x"), null, 6, NO_QUOTA);
    assertEquals(6, plan.intraOp());
    assertEquals(0, plan.blas());
    assertFalse(plan.environmentDefaults().containsKey("OPENBLAS_NUM_THREADS"));
    assertTrue(plan.describe().contains("OpenBLAS its own choice"), plan.describe());
  }

  @Test
  void badExplicitCountsAreRefusedNamingTheirSource() {
    IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
        () -> ThreadPlan.resolve(Map.of(), "0", 8, NO_QUOTA));
    assertEquals("--threads (exprbert.threads) must be a whole number >= 1, found '0'", flag.getMessage());
    IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
        () -> ThreadPlan.resolve(Map.of("EXPRBERT_NUM_THREADS", "two"), null, 8, NO_QUOTA));
    assertEquals("EXPRBERT_NUM_THREADS must be a whole number >= 1, found 'two'", env.getMessage());
  }

  @Test
  void changingTheIntraOpPoolResizesOpenBlasUnlessTheUserSizedIt() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of(), null, 8, NO_QUOTA).withIntraOp(3, "--threads");
    assertEquals(3, plan.intraOp());
    assertEquals(3, plan.blas());
    assertTrue(plan.describe().contains("LibTorch intra-op 3 (--threads), OpenBLAS 3 (as the intra-op pool, taking turns),"
        + " ExprBERT kernels 3"), plan.describe());
    ThreadPlan user = ThreadPlan.resolve(Map.of("OPENBLAS_NUM_THREADS", "1"), null, 8, NO_QUOTA).withIntraOp(3, "--threads");
    assertEquals(1, user.blas());
  }

  @Test
  void withMklItsVariablesTakeOpenBlasesPlace() {
    ThreadPlan plan = ThreadPlan.resolve(Map.of("OPENBLAS_NUM_THREADS", "1"), null, 8, NO_QUOTA, BlasLibrary.MKL);
    assertEquals(8, plan.blas(), "OpenBLAS's variable does not size MKL");
    assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "OMP_NUM_THREADS", "8", "MKL_NUM_THREADS", "8",
        "MKL_DYNAMIC", "FALSE", "KMP_BLOCKTIME", "1"), plan.environmentDefaults());
    assertTrue(plan.describe().contains("MKL 8 (as the intra-op pool, taking turns)"), plan.describe());
    ThreadPlan user = ThreadPlan.resolve(Map.of("MKL_NUM_THREADS", "2"), null, 8, NO_QUOTA, BlasLibrary.MKL)
        .withIntraOp(3, "--threads");
    assertEquals(2, user.blas());
    assertEquals("MKL_NUM_THREADS", user.blasFrom());
  }
}
