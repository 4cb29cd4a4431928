package org.nasbert.jobs;

import org.nasbert.NasbertException;

/** A wrong command line: unknown stage, unknown option, missing value. Exit code 2. */
final class UsageException extends NasbertException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
