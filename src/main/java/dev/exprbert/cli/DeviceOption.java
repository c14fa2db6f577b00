package dev.exprbert.cli;

import dev.exprbert.runtime.Placement;
import picocli.CommandLine;

/**
 * The {@code --device} value of a command: a malformed one is a usage error (exit 2); a device this machine does not
 * have is refused before the model is read ({@link Placement#requireAvailable}), in one line naming what exists.
 */
final class DeviceOption {
  private DeviceOption() {}

  static Placement float32(CommandLine.Model.CommandSpec spec, String device) {
    Placement placement;
    try {
      placement = new Placement(device, Placement.Precision.FLOAT32);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    placement.requireAvailable();
    return placement;
  }
}
