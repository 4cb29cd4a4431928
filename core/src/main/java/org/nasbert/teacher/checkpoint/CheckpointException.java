package org.nasbert.teacher.checkpoint;

import org.nasbert.NasbertException;

/** A checkpoint that cannot be read as a BERT model: the message names the file and what was wrong. */
public class CheckpointException extends NasbertException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
