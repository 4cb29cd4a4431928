package org.nasbert.jobs;

import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.stage.Stage;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <stage> [options]}: general options (--run, --conf-file, --set, --force, --master) and the
 * stage's own flags, one per setting it reads ({@code tokenize.max-seq-len} is {@code --max-seq-len},
 * {@code teacher.vocab} is {@code --vocab}). Settings: defaults &lt; --conf-file &lt; flags.
 */
final class CommandLine {
    final String command;
    final boolean help;
    final boolean force;
    final String master;
    final Settings settings;

    private CommandLine(String command, boolean help, boolean force, String master, Settings settings) {
        this.command = command;
        this.help = help;
        this.force = force;
        this.master = master;
        this.settings = settings;
    }

    /** The flag of a setting: its key without the first component. */
    static String flag(Setting<?> setting) {
        String key = setting.key();
        return "--" + key.substring(key.indexOf('.') + 1);
    }

    static CommandLine parse(String[] args, List<Stage> stagesOfCommand) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            return new CommandLine(null, true, false, null, Settings.defaults());
        }
        String command = args[0];
        Map<String, List<String>> ambiguous = new LinkedHashMap<>();
        Map<String, Setting<?>> flags = flags(stagesOfCommand, ambiguous);
        String confFile = null;
        List<String[]> overrides = new ArrayList<>();
        boolean help = false;
        boolean force = false;
        String master = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0 && !arg.startsWith("--set")) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h":
                case "--help":
                    help = true;
                    break;
                case "--force":
                    force = true;
                    break;
                case "--run":
                    overrides.add(new String[]{"run.dir", value != null ? value : next(args, ++i, command, arg), arg});
                    break;
                case "--conf-file":
                    confFile = value != null ? value : next(args, ++i, command, arg);
                    break;
                case "--master":
                    master = value != null ? value : next(args, ++i, command, arg);
                    break;
                case "--set": {
                    String kv = next(args, ++i, command, arg);
                    int at = kv.indexOf('=');
                    if (at <= 0) {
                        throw new UsageException("nasbert " + command + ": --set expects key=value, got '" + kv + "'");
                    }
                    overrides.add(new String[]{kv.substring(0, at), kv.substring(at + 1), "--set"});
                    break;
                }
                default:
                    Setting<?> setting = setting(flags, ambiguous, arg, args[i], command);
                    overrides.add(new String[]{setting.key(), value != null ? value : next(args, ++i, command, arg), arg});
            }
        }
        Settings settings = Settings.defaults();
        if (confFile != null) {
            settings = settings.withFile(Paths.get(confFile));
        }
        for (String[] o : overrides) {
            settings = settings.with(o[0], o[1], o[2]);
        }
        return new CommandLine(command, help, force, master, settings);
    }

    /**
     * Each flag of the stages' settings. Several stages' settings can share a flag (--batch-size: supernet.,
     * distill., finetune.): for a command that runs them all, such a flag would silently set only one of them, so it
     * goes into {@code ambiguous} (flag to keys), to be refused with --set named instead.
     */
    private static Map<String, Setting<?>> flags(List<Stage> stages, Map<String, List<String>> ambiguous) {
        Map<String, Setting<?>> flags = new LinkedHashMap<>();
        for (Stage stage : stages) {
            for (Setting<?> setting : stage.settings()) {
                Setting<?> other = flags.put(flag(setting), setting);
                if (other != null && !other.key().equals(setting.key())) {
                    ambiguous.computeIfAbsent(flag(setting), f -> new ArrayList<>(Collections.singletonList(other.key())))
                            .add(setting.key());
                }
            }
        }
        return flags;
    }

    /** The setting of a stage flag; a shared or unknown flag is refused, naming what to use. */
    private static Setting<?> setting(Map<String, Setting<?>> flags, Map<String, List<String>> ambiguous, String flag, String arg,
                                      String command) {
        if (ambiguous.containsKey(flag)) {
            throw new UsageException("nasbert " + command + ": option " + flag + " is ambiguous here; use --set with one of "
                    + String.join(", ", ambiguous.get(flag)) + " (e.g. --set " + ambiguous.get(flag).get(0) + "=...)");
        }
        Setting<?> setting = flags.get(flag);
        if (setting == null) {
            throw new UsageException("nasbert " + command + ": unknown option '" + arg + "' (see bin/nasbert " + command + " --help)");
        }
        return setting;
    }

    private static String next(String[] args, int i, String command, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException("nasbert " + command + ": option " + option + " needs a value");
        }
        return args[i];
    }
}
