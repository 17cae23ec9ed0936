/** A command bundle for hot install and uninstall in the integration tests. */
package org.qmon.itest.hot;
