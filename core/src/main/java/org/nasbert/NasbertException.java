package org.nasbert;

/**
 * A failure the user can act on: bad input, a bad setting, a missing artifact. Its message names the
 * file, record or setting and what was expected; the launcher prints it as one line and exits non-zero.
 */
public class NasbertException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NasbertException(String message) {
        super(message);
    }

    public NasbertException(String message, Throwable cause) {
        super(message, cause);
    }
}
