module.exports = require('./postgres-run').teardown;
