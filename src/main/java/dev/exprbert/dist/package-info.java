/**
 * Data-parallel training on PyTorch's own distributed engine (c10d, through the JavaCPP presets): the torchrun
 * environment a rank reads ({@link dev.exprbert.dist.LaunchEnvironment}), the rendezvous store, the Gloo (CPU) and
 * NCCL (CUDA) process groups, rank liveness, the collectives a training run needs
 * ({@link dev.exprbert.dist.DistributedContext}), the bucketed gradient all-reduce
 * ({@link dev.exprbert.dist.BucketedAllReduce}) and the launcher of local ranks ({@link dev.exprbert.dist.RankLauncher}).
 */
package dev.exprbert.dist;
