package org.qmon.qmp.internal.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles as QEMU's {@code json_writer_double()} does: C's {@code "%.17g"} in the C
 * locale (glibc: correctly rounded, round-half-even on exact ties). Like QEMU this prints
 * {@code inf}, {@code -inf} and {@code nan} for non-finite values (json-writer.c has a FIXME
 * about it: they are not valid JSON).
 */
final class QemuDoubleFormat {

    private static final int PRECISION = 17;
    private static final MathContext SIGNIFICANT = new MathContext(PRECISION, RoundingMode.HALF_EVEN);

    private QemuDoubleFormat() {
    }

    static String format(double d) {
        if (Double.isNaN(d)) {
            return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(SIGNIFICANT);
        String digits = rounded.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - rounded.scale(); // decimal exponent of first digit
        int significant = digits.length();
        while (significant > 1 && digits.charAt(significant - 1) == '0') {
            significant--; // %g drops trailing zeros (no '#' flag)
        }
        digits = digits.substring(0, significant);
        StringBuilder sb = new StringBuilder(32);
        if (d < 0) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= PRECISION) {
            // style e: d[.ddd]e+XX, exponent at least two digits
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else if (exponent < 0) {
            sb.append("0.");
            for (int i = -1; i > exponent; i--) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (digits.length() <= exponent + 1) {
            sb.append(digits);
            for (int i = digits.length(); i <= exponent; i++) {
                sb.append('0');
            }
        } else {
            sb.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return sb.toString();
    }
}
