/**
 * Benchmark-only commands: the slow command of the mixed-load benchmark, in its two forms. bench/run
 * installs this bundle into the distribution for its run; it is never part of the default distribution.
 */
package org.qmon.bench.commands;
