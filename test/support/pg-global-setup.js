module.exports = require('./postgres-run').setup;
